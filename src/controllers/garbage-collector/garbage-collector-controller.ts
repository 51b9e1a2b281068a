/** PLACEHOLDER: replaced by the real controller. */
import type { ControllerDescriptor } from '../controller-context.js';

export const garbageCollectorController: ControllerDescriptor = {
  name: 'garbagecollector',
  run: async () => {},
};
