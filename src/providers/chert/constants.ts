/**
 * Chert's constants: what the credential needs (imported by credentials/ChertApi.credentials.ts,
 * so nothing else belongs here: it would be bundled into the credential) and the group limits.
 */
export const CHERT_LABEL = 'Chert';
export const CHERT_CREDENTIAL_TYPE = 'chertApi';
export const CHERT_BASE_URL = 'https://console.trychert.com';
/** The credential's Test: Chert's sender list. */
export const CHERT_TEST_PATH = '/api/v1/phone-numbers';

/** A new group: 2 to 31 recipients besides the sender. */
export const CHERT_RECIPIENTS = { min: 2, max: 31 };
