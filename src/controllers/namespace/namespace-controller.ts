/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const namespaceController: ControllerDescriptor = {
  name: 'namespace',
  run: async () => {},
};
