// The application's small error hierarchy. `expose` errors carry messages safe to show
// (never personal data); everything else is logged with the request id and shown generically.
export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = 'server_error';
  readonly expose: boolean = false;
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = 'invalid_input';
  override readonly expose = true;
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = 'not_found';
  override readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = 'conflict';
  override readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = 'forbidden';
  override readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class CsrfError extends AppError {
  override readonly status = 403;
  override readonly code = 'csrf';
  override readonly expose = true;
  constructor() {
    super('invalid or missing CSRF token');
    this.name = 'CsrfError';
  }
}

/** A form's field-level problems: `fields` maps a field name to a message key suffix. */
export class FormError extends AppError {
  override readonly status = 400;
  override readonly code = 'invalid_input';
  override readonly expose = true;
  constructor(readonly fields: Record<string, string>) {
    super(`invalid fields: ${Object.keys(fields).join(', ')}`);
    this.name = 'FormError';
  }
}

export class UnavailableError extends AppError {
  override readonly status = 503;
  override readonly code = 'temporarily_unavailable';
  override readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}
