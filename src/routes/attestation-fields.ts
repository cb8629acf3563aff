// The data for views/partials/attestation-fields.ejs: a fresh single-use challenge, its short
// code and its QR code (inline SVG drawn on the server; the pages have no script).
import QRCode from 'qrcode';
import type { AttestationVerifier } from '../proofing/attestations.js';
import { formatChallenge } from '../proofing/attestation-format.js';

/** What the QR code carries: the attester's app needs the challenge and who it is for. */
export const challengeUri = (issuer: string, challenge: string) =>
  `cyberspace-id-attest:?aud=${encodeURIComponent(issuer)}&challenge=${challenge}`;

export async function attestationFields(attestations: Pick<AttestationVerifier, 'issueChallenge'>, issuer: string) {
  const { challenge } = await attestations.issueChallenge();
  return {
    challenge,
    shortCode: formatChallenge(challenge),
    qrSvg: await QRCode.toString(challengeUri(issuer, challenge), { type: 'svg', margin: 2, width: 200, errorCorrectionLevel: 'M' }),
  };
}
