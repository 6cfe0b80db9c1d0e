/**
 * The runtime side of otelcol.auth.*: a component that exports one `handler` capsule for its lifetime
 * (so receivers and exporters using it are not re-evaluated on updates) whose behaviour follows the
 * latest arguments.
 */
import { untilAborted, type Component, type ComponentOptions } from '../../../runtime/component.js';
import { authCapsule, type AuthHandler } from './handler.js';

export class AuthComponent<Args> implements Component<Args> {
  constructor(
    opts: ComponentOptions,
    handler: AuthHandler,
    private readonly apply: (args: Args) => void,
    args: Args,
  ) {
    apply(args);
    opts.onStateChange({ handler: authCapsule(handler) });
  }

  run(signal: AbortSignal): Promise<void> {
    return untilAborted(signal);
  }

  update(args: Args): void {
    this.apply(args);
  }
}
