/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice',
  run: async () => {},
};
