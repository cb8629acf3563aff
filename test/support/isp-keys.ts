// An ISP's own key pairs, as a FAPI or JAR/JWE client holds them: the private half stays with
// the test (the ISP), the public half goes into the client's registered `jwks`.
import { exportJWK, generateKeyPair, type JWK } from 'jose';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
export type IspKey = { alg: string; kid: string; privateKey: KeyPair['privateKey']; publicKey: KeyPair['publicKey']; publicJwk: JWK };

export async function ispKey(alg: string, use: 'sig' | 'enc' = 'sig', kid = `${alg.toLowerCase()}-${use}`): Promise<IspKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use } };
}

export const jwksOf = (...keys: IspKey[]) => ({ keys: keys.map((key) => key.publicJwk as Record<string, unknown>) });
