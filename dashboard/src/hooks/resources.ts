/** One hook per resource, each a key and a call of the API client. */
import { api } from '../api/client.js';
import type { JobState } from '../api/types.js';
import { keys } from './keys.js';
import { useResource } from './store.js';

export const useSession = () => useResource(keys.session(), api.session);
export const useQueues = () => useResource(keys.queues(), api.queues);
export const useQueue = (q: string) => useResource(keys.queue(q), () => api.queue(q));
export const useJobs = (q: string, state: JobState, offset: number, limit: number) =>
  useResource(keys.jobs(q, state, offset), () => api.jobs(q, state, offset, limit));
export const useJob = (q: string, id: string) => useResource(keys.job(q, id), () => api.job(q, id));
export const useHistory = (q: string, range: '1h' | '7d') =>
  useResource(keys.history(q, range), () => api.history(q, range));
export const useTopics = () => useResource(keys.topics(), api.topics);
export const useTopic = (t: string) => useResource(keys.topic(t), () => api.topic(t));
