/**
 * core/v1 ServiceAccounts: upstream validates their metadata only (name rule:
 * DNS-1123 subdomain, see strategies.ts), so the strategy adds nothing.
 */
import type { ResourceStrategy } from '../strategy.js';

export const serviceAccountStrategy: ResourceStrategy = {};
