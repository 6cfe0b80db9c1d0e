/** Process entry of foundry-plugin-host: runs main() (flags in main.ts). */
import { main } from './main.js';

await main();
