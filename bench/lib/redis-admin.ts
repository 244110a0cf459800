/**
 * The harness's own admin connection to its private redis-server: fresh state between runs, INFO
 * fields, per-command statistics.
 */
import { Redis } from 'ioredis';

export class RedisAdmin {
  readonly client: Redis;

  constructor(
    url: string,
    private readonly aof: boolean,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: null });
  }

  /**
   * Empties the server for the next run: all data, the script cache, the function libraries and
   * the statistics; with AOF
   * it also rewrites the (now empty) AOF so no run pays for the previous run's log.
   */
  async fresh(): Promise<void> {
    await this.client.flushall('SYNC');
    await this.client.script('FLUSH', 'SYNC');
    await this.client.call('FUNCTION', 'FLUSH', 'SYNC');
    if (this.aof) {
      await this.waitNoRewrite();
      await this.client.bgrewriteaof();
      await this.waitNoRewrite();
    }
    await this.client.config('RESETSTAT');
  }

  /** Fields of `INFO <section>` as strings. */
  async info(section: string): Promise<Record<string, string>> {
    const text = await this.client.info(section);
    const out: Record<string, string> = {};
    for (const line of text.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  }

  async usedMemory(): Promise<number> {
    return Number((await this.info('memory')).used_memory);
  }

  /** `INFO commandstats`: calls and total µs per command (scripts show as fcall, evalsha or eval). */
  async commandStats(): Promise<Record<string, { calls: number; usec: number }>> {
    const out: Record<string, { calls: number; usec: number }> = {};
    for (const [key, value] of Object.entries(await this.info('commandstats'))) {
      const calls = /calls=(\d+)/.exec(value);
      const usec = /usec=(\d+)/.exec(value);
      out[key.replace(/^cmdstat_/, '')] = { calls: Number(calls?.[1]), usec: Number(usec?.[1]) };
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.quit();
  }

  private async waitNoRewrite(): Promise<void> {
    for (;;) {
      const p = await this.info('persistence');
      if (p.aof_rewrite_in_progress !== '1' && p.aof_rewrite_scheduled !== '1') return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
