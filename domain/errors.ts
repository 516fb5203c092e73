/**
 * Why an action on an application was refused. The code travels as the Temporal failure type
 * (validators reject Updates with it) and the API maps each code to one HTTP status.
 */
export const REFUSAL_HTTP_STATUS = {
  INVALID_INPUT: 400,
  NOT_PERMITTED: 403,
  WRONG_DEPARTMENT: 403,
  UNKNOWN_MATTER: 404,
  UNKNOWN_STAGE: 404,
  UNKNOWN_SERVICE: 404,
  INVALID_STATE: 409,
  ALREADY_DECIDED: 409,
  APPLICATION_CLOSED: 409,
  /** Started before commitments, joint matters and assignment existed (patch `reform-instruments`). */
  NOT_AVAILABLE: 409,
  /** The matter is assigned to another officer. */
  NOT_ASSIGNED: 403,
  ALREADY_ASSIGNED: 409,
  /** The catalogue does not allow approval on commitment for the matter, or the applicant has a credit record. */
  COMMITMENT_NOT_ALLOWED: 422,
  NOT_JOINT: 409,
  OPINIONS_OUTSTANDING: 409,
  OPINION_FAILED: 409,
  /** The one-supplement rule: another request needs the department head's approval. */
  SUPPLEMENT_LIMIT: 409,
} as const;

export type RefusalCode = keyof typeof REFUSAL_HTTP_STATUS;

export class ActionRefused extends Error {
  override readonly name = 'ActionRefused';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export function isRefusalCode(x: unknown): x is RefusalCode {
  return typeof x === 'string' && x in REFUSAL_HTTP_STATUS;
}
