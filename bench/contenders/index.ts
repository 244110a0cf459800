/** Loads one contender by name (dynamically, so a child process loads only the one it runs). */
import type { Contender, ContenderName } from './types.js';

export async function loadContender(name: ContenderName): Promise<Contender> {
  switch (name) {
    case 'sluice':
      return (await import('./sluice.js')).sluice;
    case 'bullmq':
      return (await import('./bullmq.js')).bullmq;
    case 'bee-queue':
      return (await import('./bee-queue.js')).beeQueue;
    case 'sluice-ref':
      return (await import('./sluice-ref.js')).loadSluiceRef();
    case 'raw':
      return (await import('./raw.js')).raw;
    case 'fenced':
      return (await import('./fenced.js')).fenced;
  }
}
