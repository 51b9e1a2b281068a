/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const endpointsController: ControllerDescriptor = {
  name: 'endpoint',
  run: async () => {},
};
