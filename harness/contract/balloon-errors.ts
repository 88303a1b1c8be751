/**
 * Errors every runtime's balloon control throws, so a case can tell "never connected" and "did not get
 * there in time" apart from any other failure, whatever runtime is under test.
 */

export class BalloonError extends Error {
  override name = 'BalloonError';
}

export class BalloonNotConnectedError extends BalloonError {
  override name = 'BalloonNotConnectedError';

  constructor(operation: string) {
    super(`balloon control is not connected (${operation})`);
  }
}

export class BalloonTimeoutError extends BalloonError {
  override name = 'BalloonTimeoutError';
}
