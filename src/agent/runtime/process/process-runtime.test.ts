import { runtimeConformance } from '../runtime-conformance.js';
import { ProcessRuntime } from './process-runtime.js';

runtimeConformance('process', async (dir) => new ProcessRuntime({ dataDir: dir, podCIDR: '10.244.7.0/24', nodeIP: '127.0.0.1' }));
