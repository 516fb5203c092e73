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
