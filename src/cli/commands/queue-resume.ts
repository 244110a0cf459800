/** `sluice queue resume <queue>`: restart every worker of a paused queue. */
import { pauseCommand } from './queue-pause.js';

export default pauseCommand('resume');
