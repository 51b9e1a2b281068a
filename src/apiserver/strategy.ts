/**
 * Per-kind behaviour of the generic REST storage, after upstream's
 * `rest.RESTCreateStrategy` / `RESTUpdateStrategy`: defaulting, preparing,
 * validation and side effects (allocation) for each resource type.
 */
import type { KubeObject } from '../api/object.js';
import type { FieldError } from './field-errors.js';

export interface StrategyContext {
  /** Current time, for timestamps (a port so tests can fix it). */
  readonly now: Date;
  /** `dryRun=All`: nothing may be persisted or allocated for good. */
  readonly dryRun: boolean;
}

export interface ResourceStrategy {
  /**
   * True when validateCreate/validateUpdate already cover metadata (as the Service
   * strategy does); otherwise the generic store validates metadata itself.
   */
  readonly validatesObjectMeta?: boolean;

  /**
   * Apply upstream defaulting (SetDefaults_*) in place. Runs on every create and
   * update, on the whole object, before validation.
   */
  defaults?(obj: KubeObject): void;

  /** Reset fields the client may not set on create (e.g. status), in place. */
  prepareForCreate?(obj: KubeObject): void;

  /**
   * On update of the main resource: keep what the client may not change (e.g.
   * status from `old`), in place. On the status subresource the generic code
   * instead keeps everything but status from `old`.
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;

  /** Validation of a new object (upstream ValidateXxx). Metadata is validated generically. */
  validateCreate?(obj: KubeObject): FieldError[];

  /** Validation of an update (upstream ValidateXxxUpdate), including immutability. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];

  /** Validation of a status update. */
  validateStatusUpdate?(obj: KubeObject, old: KubeObject): FieldError[];

  /**
   * Field selector values this kind supports besides metadata.name/namespace,
   * e.g. `spec.nodeName` and `status.phase` for pods.
   */
  fieldLabels?(obj: KubeObject): Record<string, string>;
}
