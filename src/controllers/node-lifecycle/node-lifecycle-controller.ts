/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'nodelifecycle',
  run: async () => {},
};
