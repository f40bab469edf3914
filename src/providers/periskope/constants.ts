/**
 * Periskope's constants: what the credential needs (imported by
 * credentials/PeriskopeApi.credentials.ts, so nothing else belongs here: it would be bundled into
 * the credential) and the group limits.
 */
export const PERISKOPE_LABEL = 'Periskope';
export const PERISKOPE_CREDENTIAL_TYPE = 'periskopeApi';
export const PERISKOPE_BASE_URL = 'https://api.periskope.app/v1';
/** The credential's Test: the phone of the x-phone header. */
export const PERISKOPE_TEST_PATH = '/phones';

/** A new group: 1 to 1,023 participants besides your line (WhatsApp's group size). */
export const PERISKOPE_RECIPIENTS = { min: 1, max: 1023 };

/**
 * Add and remove send participant lists in chunks of this size, one request per chunk, with
 * per-participant outcomes merged back in input order. Periskope documents no maximum; 50 keeps
 * one refused or timed-out request to a small share of a large list.
 */
export const PERISKOPE_CHUNK = 50;

/** The query parameter carrying the trigger's per-subscription token in the delivery URL. */
export const PERISKOPE_TOKEN_PARAM = 'token';
