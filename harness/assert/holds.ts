/**
 * The one way a case states a key claim: `await holds('<case>/<what>', () => …)`. The id is written out
 * whole at each call, so one search over the sources finds every id (the catalogue's unit test does).
 */
import { failedAssertionOf, isAssertionFailure, isAssertionId, nameFailure, type AssertionId } from '../contract/assertion.ts';

/**
 * Runs one claim. An assertion failure inside it (a failed `expect`, a bound, a deadline) leaves named
 * `id`; anything else (the guest did not answer, a command could not run) passes through unnamed,
 * because it says nothing about the claim. A failure already named by an inner claim keeps its name.
 * Keep the body to the claim: what must happen before it belongs outside.
 */
export async function holds<T>(id: AssertionId, body: () => T | Promise<T>): Promise<T> {
  if (!isAssertionId(id)) throw new RangeError(`not an assertion id: "${id}" (expected <case>/<what>, lowercase words joined by "-")`);
  try {
    return await body();
  } catch (error) {
    if (isAssertionFailure(error) && failedAssertionOf(error) === undefined) nameFailure(error, id);
    throw error;
  }
}
