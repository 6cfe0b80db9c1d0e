/** The agent's version, reported in `alloy_build_info` and `constants.version`. */
export const VERSION = 'v0.1.0';
