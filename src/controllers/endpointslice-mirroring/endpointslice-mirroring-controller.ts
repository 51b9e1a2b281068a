/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const endpointSliceMirroringController: ControllerDescriptor = {
  name: 'endpointslicemirroring',
  run: async () => {},
};
