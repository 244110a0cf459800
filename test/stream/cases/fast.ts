/** Group settings that make reclaiming and shutting down quick in tests. */
export const FAST_GROUP = { blockMs: 500, claimIdleMs: 1000, reclaimIntervalMs: 100 } as const;
