/**
 * The error every runtime's exec throws when the guest never answers, so a case can tell a frozen or
 * dead guest from any other failure, whatever runtime is under test.
 */

/** The host stopped waiting for an exec's reply: the exec's own timeout and the runtime's grace for the reply passed without one. */
export class GuestNoAnswerError extends Error {
  override name = 'GuestNoAnswerError';
}
