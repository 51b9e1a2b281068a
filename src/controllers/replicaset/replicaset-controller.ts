/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const replicaSetController: ControllerDescriptor = {
  name: 'replicaset',
  run: async () => {},
};
