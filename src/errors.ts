// The application's small error hierarchy. `expose` errors carry messages safe to show
// (never personal data); everything else is logged with the request id and shown generically.
export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = 'server_error';
  readonly expose: boolean = false;
}

/** An error whose message may be shown: a status, a machine code, a safe message. */
export abstract class ExposedError extends AppError {
  override readonly expose = true;
  constructor(override readonly status: number, override readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ExposedError {
  constructor(readonly problems: string[]) {
    super(400, 'invalid_input', problems.join('; '));
  }
}

/** A form's field-level problems: `fields` maps a field name to a message key suffix. */
export class FormError extends ExposedError {
  constructor(readonly fields: Record<string, string>) {
    super(400, 'invalid_input', `invalid fields: ${Object.keys(fields).join(', ')}`);
  }
}

export class NotFoundError extends ExposedError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends ExposedError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class ForbiddenError extends ExposedError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class CsrfError extends ExposedError {
  constructor() {
    super(403, 'csrf', 'invalid or missing CSRF token');
  }
}

export class UnavailableError extends ExposedError {
  constructor(message: string) {
    super(503, 'temporarily_unavailable', message);
  }
}

/** The password hasher's queue is full (a login flood): shed at once, try again shortly. */
export class HasherBusyError extends UnavailableError {
  readonly retryAfterSeconds = 5;
  constructor() {
    super('sign-in is busy');
  }
}

/**
 * A credential missing, invalid or not strong enough for this request (RFC 6750 §3, RFC 9449
 * §7.1, RFC 9470 §3): answered 401 with a WWW-Authenticate challenge naming `code`
 * (none when no credential was sent at all).
 */
export class UnauthorizedError extends ExposedError {
  constructor(
    code: 'credentials_required' | 'invalid_token' | 'invalid_dpop_proof' | 'insufficient_user_authentication',
    message: string,
    /** RFC 9470 §3: how recent the operator's authentication must be, in seconds. */
    readonly maxAge?: number,
  ) {
    super(401, code, message);
  }
}
