/**
 * Linq's constants: what the credential needs (imported by credentials/LinqApi.credentials.ts,
 * so nothing else belongs here: it would be bundled into the credential) and the group limits.
 */
export const LINQ_LABEL = 'Linq';
export const LINQ_CREDENTIAL_TYPE = 'linqApi';
export const LINQ_BASE_URL = 'https://api.linqapp.com/api/partner';
/** The credential's Test: Linq's sender list. */
export const LINQ_TEST_PATH = '/v3/phone_numbers';

/** A new group: 2 to 100 recipients besides the sender. */
export const LINQ_RECIPIENTS = { min: 2, max: 100 };
/** The most chats one list request may ask for. */
export const LINQ_PAGE_MAX = 100;
