// Passkeys in the browser (WebAuthn): the only script our pages load, and only the pages with a
// passkey form. It reads the ceremony's options the server put on the form (data-options),
// asks the browser, puts the answer in the form's "response" field and submits the form; the
// server checks everything. Without this script (or without WebAuthn) the passkey controls
// stay hidden and every page works as before. Allowed by the Content-Security-Policy by hash.
(() => {
  'use strict';
  const b64 = {
    decode: (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=')), (c) => c.charCodeAt(0)).buffer,
    encode: (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  };
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  const toJSON = (credential) => {
    if (typeof credential.toJSON === 'function') return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: b64.encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = b64.encode(r.attestationObject);
      response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
    } else {
      response.authenticatorData = b64.encode(r.authenticatorData);
      response.signature = b64.encode(r.signature);
      if (r.userHandle) response.userHandle = b64.encode(r.userHandle);
    }
    return { id: credential.id, rawId: b64.encode(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults(), authenticatorAttachment: credential.authenticatorAttachment || undefined };
  };
  const creationOptions = (o) => ({
    ...o,
    challenge: b64.decode(o.challenge),
    user: { ...o.user, id: b64.decode(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: b64.decode(c.id) })),
  });
  const requestOptions = (o) => ({ ...o, challenge: b64.decode(o.challenge), allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: b64.decode(c.id) })) });
  const send = (form, credential) => {
    form.querySelector('input[name="response"]').value = JSON.stringify(toJSON(credential));
    form.submit();
  };
  const showError = (form) => {
    const error = form.querySelector('[data-passkey-error]');
    if (error) error.hidden = false;
  };

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const options = JSON.parse(form.dataset.options);
    for (const hidden of form.querySelectorAll('[data-passkey-control]')) hidden.hidden = false;
    for (const shown of form.querySelectorAll('[data-passkey-none]')) shown.hidden = true;

    if (form.dataset.passkey === 'register') {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          send(form, await navigator.credentials.create({ publicKey: creationOptions(options) }));
        } catch {
          showError(form);
        }
      });
      continue;
    }

    // Sign-in: the passkey button, and conditional UI (the browser offers passkeys in the
    // cyberspace ID field's autofill) where the browser has it.
    let conditional;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (conditional) conditional.abort();
      try {
        send(form, await navigator.credentials.get({ publicKey: requestOptions(options) }));
      } catch {
        showError(form);
      }
    });
    if (typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
      PublicKeyCredential.isConditionalMediationAvailable().then(async (available) => {
        if (!available) return;
        conditional = new AbortController();
        try {
          send(form, await navigator.credentials.get({ publicKey: requestOptions(options), mediation: 'conditional', signal: conditional.signal }));
        } catch {
          // Aborted for the button, or dismissed: the page stays as it is.
        }
      });
    }
  }
})();
