/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset',
  run: async () => {},
};
