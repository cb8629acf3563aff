// A small circuit breaker (M. Nygard, "Release It!"): after `failureThreshold` consecutive
// failed calls it opens and fails fast for `resetAfterMs`; then it is half-open and lets one
// trial call through: success closes it, failure opens it again for another period.
// A call fails when its operation throws. Written here rather than taking opossum (well kept,
// but its model is an error percentage over a rolling window with its own timeouts and an event
// API; we want the plain consecutive-failure rule, and this file is the whole of it).
export class CircuitOpenError extends Error {
  constructor() {
    super('circuit open: failing fast');
    this.name = 'CircuitOpenError';
  }
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export type CircuitBreakerOptions = {
  failureThreshold: number;
  resetAfterMs: number;
  /** Told when the circuit opens or closes (the adapter logs it). */
  onStateChange?: (state: 'open' | 'closed') => void;
  now?: () => number;
};

export function createCircuitBreaker({ failureThreshold, resetAfterMs, onStateChange, now = Date.now }: CircuitBreakerOptions) {
  let failures = 0;
  let openedAt: number | undefined;
  let trialRunning = false;

  const state = (): CircuitState =>
    openedAt === undefined ? 'closed' : now() - openedAt < resetAfterMs ? 'open' : 'half_open';

  return {
    state,
    async run<T>(operation: () => Promise<T>): Promise<T> {
      const current = state();
      if (current === 'open' || (current === 'half_open' && trialRunning)) throw new CircuitOpenError();
      const trial = current === 'half_open';
      trialRunning ||= trial;
      try {
        const result = await operation();
        failures = 0;
        if (openedAt !== undefined) {
          openedAt = undefined;
          onStateChange?.('closed');
        }
        return result;
      } catch (error) {
        failures += 1;
        if (trial || (openedAt === undefined && failures >= failureThreshold)) {
          openedAt = now();
          onStateChange?.('open');
        }
        throw error;
      } finally {
        if (trial) trialRunning = false;
      }
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
