/**
 * What a failed check says about itself. It tells "the check looked and saw the wrong thing" (an
 * assertion failing) from "the check could not look" (no answer, no VM, a command that would not run),
 * and which named claim failed. A fault test that ends in anything but its named claim failing has
 * proven nothing, however red it is; reports show the claim's id beside every failure.
 */

/** `<catalogue case id>/<what is claimed>`, e.g. `two-vms-isolated/bystander-free-bytes-unchanged`. */
export type AssertionId = `${string}/${string}`;

/**
 * A bound, a deadline or a comparison that did not hold. Its name is vitest's own, so vitest prints
 * it as it prints a failed `expect`, and one test (`isAssertionFailure`) covers both.
 */
export class AssertionFailure extends Error {
  override name = 'AssertionError';
}

/** A failed `expect` (vitest's AssertionError) or an AssertionFailure of the harness's own helpers. */
export function isAssertionFailure(error: unknown): error is Error {
  return error instanceof Error && error.name === 'AssertionError';
}

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** How a named failure's message begins; reports read the id back from it. */
const TAG = /^assertion ([a-z0-9-]+\/[a-z0-9-]+) failed: /;

export function isAssertionId(text: string): text is AssertionId {
  return ID_PATTERN.test(text);
}

/** The failure's message, now naming the claim it broke. */
export function nameFailure(error: Error, id: AssertionId): void {
  error.message = `assertion ${id} failed: ${error.message}`;
}

/** The id of the named claim this failure (or its message, as reports keep it) comes from, if any. */
export function failedAssertionOf(failure: unknown): AssertionId | undefined {
  const message = typeof failure === 'string' ? failure : failure instanceof Error ? failure.message : undefined;
  return message?.match(TAG)?.[1] as AssertionId | undefined;
}
