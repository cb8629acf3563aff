// Encrypted ID tokens (JWE, RFC 7516; OIDC Core §10.2) for ISPs that register an encryption key
// (`use: "enc"` in their jwks or jwks_uri), and signed request objects (JAR, RFC 9101).
// Only key-agreement and key-transport algorithms that use the ISP's own public key: the
// symmetric ones (A128KW, A256KW, dir) would derive the key from a client secret, which
// private_key_jwt and public clients do not have, and which we would rather not stretch into a
// content key. Request objects are signed, never encrypted to us (the same reason, turned
// around: we publish no encryption key).
export const ID_TOKEN_ENCRYPTION_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'RSA-OAEP', 'RSA-OAEP-256'] as const;
export const ID_TOKEN_ENCRYPTION_ENCS = ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'] as const;
/** OIDC Registration §2: with an alg and no enc, A128CBC-HS256. */
export const DEFAULT_ID_TOKEN_ENCRYPTION_ENC = 'A128CBC-HS256';
export const REQUEST_OBJECT_SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

export const isIdTokenEncryptionAlg = (value: unknown): value is (typeof ID_TOKEN_ENCRYPTION_ALGS)[number] =>
  (ID_TOKEN_ENCRYPTION_ALGS as readonly unknown[]).includes(value);
export const isIdTokenEncryptionEnc = (value: unknown): value is (typeof ID_TOKEN_ENCRYPTION_ENCS)[number] =>
  (ID_TOKEN_ENCRYPTION_ENCS as readonly unknown[]).includes(value);
