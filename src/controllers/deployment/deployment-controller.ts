/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const deploymentController: ControllerDescriptor = {
  name: 'deployment',
  run: async () => {},
};
