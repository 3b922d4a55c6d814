// Clock sync from ping/pong samples (docs/protocol.md, "Clock and latency").

/** One ping/pong round trip. */
export interface ClockSample {
  /** Round-trip time, ms. */
  rtt: number;
  /** Server clock minus local clock estimated from this sample, ms. */
  offset: number;
  /** Local time the pong arrived. */
  at: number;
}

/** What an app shows: the offset in use and the average latency. */
export interface ClockStats {
  /** Server clock = local clock + offset (ms); 0 until the first estimate. */
  offset: number;
  /** Average RTT of the last `window` pings, ms; null before the first pong. */
  latency: number | null;
  /** RTT of the sample the offset comes from, ms (its error bound is ±rtt/2). */
  bestRtt: number | null;
  /** Number of samples kept. */
  samples: number;
}

/**
 * Keeps the last `window` samples. The offset comes from the kept sample with the lowest RTT
 * (smallest error bound); the latency is the average RTT of the kept samples.
 */
export class ClockSync {
  private readonly kept: ClockSample[] = [];
  private rough: number | null = null;

  constructor(private readonly window = 30) {}

  /** A first estimate from welcome.server_time, used until a pong arrives. */
  seed(serverTime: number, localNow: number): void {
    this.rough = serverTime - localNow;
  }

  /** Records the pong of a ping sent at local `t0`, received at local `t1`. */
  add(t0: number, serverTime: number, t1: number): ClockSample {
    const rtt = Math.max(0, t1 - t0);
    const sample = { rtt, offset: serverTime + rtt / 2 - t1, at: t1 };
    this.kept.push(sample);
    if (this.kept.length > this.window) this.kept.shift();
    return sample;
  }

  /** The kept sample with the lowest RTT (the earliest of equals), if any. */
  best(): ClockSample | null {
    let best: ClockSample | null = null;
    for (const s of this.kept) if (!best || s.rtt < best.rtt) best = s;
    return best;
  }

  /** Server clock minus local clock, ms. */
  get offset(): number {
    return this.best()?.offset ?? this.rough ?? 0;
  }

  /** Average RTT of the kept samples, ms; null before the first one. */
  get latency(): number | null {
    if (this.kept.length === 0) return null;
    return this.kept.reduce((sum, s) => sum + s.rtt, 0) / this.kept.length;
  }

  /** The server's clock now, given the local clock. */
  serverNow(localNow: number): number {
    return Math.round(localNow + this.offset);
  }

  stats(): ClockStats {
    return {
      offset: this.offset,
      latency: this.latency,
      bestRtt: this.best()?.rtt ?? null,
      samples: this.kept.length,
    };
  }
}
