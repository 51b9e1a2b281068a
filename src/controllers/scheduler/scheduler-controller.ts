/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const schedulerController: ControllerDescriptor = {
  name: 'scheduler',
  run: async () => {},
};
