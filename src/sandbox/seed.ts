/**
 * DEMO credentials and the seeded state of the sandbox. All numbers are fictional
 * US 555-01xx numbers (+1415555 01xx); the Linq SMS-only demo handle ends in 9999.
 * These values are public demo data for a local emulator, not real secrets.
 */

export interface DemoData {
	chert: {
		baseUrlPath: '/chert';
		tenantSlug: 'demo-tenant';
		/** 32 lowercase hex characters. */
		signingSecret: string;
		/** The tenant's numbers: valid `from` values. */
		senders: string[];
	};
	linq: { token: string; senders: string[] };
	periskope: {
		apiKey: string;
		/** Org phone, digits only (country code + number). */
		orgPhone: string;
		phoneId: string;
		/** Numbers in the phone's contacts: added directly instead of invited. */
		contacts: string[];
		/**
		 * WhatsApp linked ids (`<digits>@lid`) of the members of the linked-ids demo group: members
		 * WhatsApp shows without a phone number. Their digits are NOT phone numbers.
		 */
		linkedIds: string[];
	};
	groups: {
		chert: { trio: string; five: string; dm: string };
		linq: { trio: string; five: string; sms: string; dm: string };
		/** `linked` is seeded only with `startSandbox({ seedLinkedIds: true })` (and by `npm run sandbox`). */
		periskope: { trio: string; five: string; linked: string };
	};
}

export const DEMO: DemoData = {
	chert: {
		baseUrlPath: '/chert',
		tenantSlug: 'demo-tenant',
		// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- public sandbox demo value
		signingSecret: '5c7e1a9d3b2f4e6a8c0d1e2f3a4b5c6d',
		senders: ['+14155550100', '+14155550101'],
	},
	linq: {
		token: 'linq_sandbox_demo_token',
		senders: ['+14155550150', '+14155550151'],
	},
	periskope: {
		apiKey: 'periskope_sandbox_demo_key',
		orgPhone: '14155550180',
		phoneId: 'phone-sandboxdemoline',
		contacts: [
			'14155550181',
			'14155550182',
			'14155550183',
			'14155550184',
			'14155550185',
			'14155550186',
			'14155550187',
			'14155550188',
			'14155550189',
		],
		linkedIds: ['205519000000001@lid', '205519000000002@lid'],
	},
	groups: {
		chert: { trio: 'ch_demo_trio', five: 'ch_demo_five', dm: 'ch_demo_dm' },
		linq: {
			trio: '7d4c1a20-0003-4b5e-9c6d-000000000003',
			five: '7d4c1a20-0005-4b5e-9c6d-000000000005',
			sms: '7d4c1a20-0009-4b5e-9c6d-000000000009',
			dm: '7d4c1a20-0002-4b5e-9c6d-000000000002',
		},
		periskope: {
			trio: '120363415555018003@g.us',
			five: '120363415555018005@g.us',
			linked: '120363415555018007@g.us',
		},
	},
};

/** When the seeded chats were created. */
export const SEED_CREATED_AT = '2025-01-15T10:00:00.000Z';

export interface SeedChat {
	id: string;
	name: string | null;
	/** The sending line. */
	self: string;
	/** Members other than the sending line. */
	members: string[];
	isGroup: boolean;
	/** Members (of `members`) who are group admins (Periskope). */
	admins?: string[];
}

export const CHERT_SEED: SeedChat[] = [
	{
		id: DEMO.groups.chert.trio,
		name: 'Demo trio',
		self: '+14155550100',
		members: ['+14155550111', '+14155550112'],
		isGroup: true,
	},
	{
		id: DEMO.groups.chert.five,
		name: 'Demo five',
		self: '+14155550100',
		members: ['+14155550121', '+14155550122', '+14155550123', '+14155550124'],
		isGroup: true,
	},
	{
		id: DEMO.groups.chert.dm,
		name: null,
		self: '+14155550100',
		members: ['+14155550131'],
		isGroup: false,
	},
];

export const LINQ_SEED: SeedChat[] = [
	{
		id: DEMO.groups.linq.trio,
		name: 'Demo trio',
		self: '+14155550150',
		members: ['+14155550161', '+14155550162'],
		isGroup: true,
	},
	{
		id: DEMO.groups.linq.five,
		name: 'Demo five',
		self: '+14155550150',
		members: ['+14155550163', '+14155550164', '+14155550165', '+14155550166'],
		isGroup: true,
	},
	{
		id: DEMO.groups.linq.sms,
		name: 'Demo SMS group',
		self: '+14155550150',
		members: ['+14155550167', '+14155550168', '+14155559999'],
		isGroup: true,
	},
	{
		id: DEMO.groups.linq.dm,
		name: null,
		self: '+14155550150',
		members: ['+14155550169'],
		isGroup: false,
	},
];

export const PERISKOPE_SEED: SeedChat[] = [
	{
		id: DEMO.groups.periskope.trio,
		name: 'Demo trio',
		self: DEMO.periskope.orgPhone,
		members: ['14155550181', '14155550182'],
		isGroup: true,
	},
	{
		id: DEMO.groups.periskope.five,
		name: 'Demo five',
		self: DEMO.periskope.orgPhone,
		members: ['14155550183', '14155550184', '14155550185', '14155550186'],
		isGroup: true,
	},
];

/**
 * A Periskope group whose members include WhatsApp linked ids (`<digits>@lid`): members that
 * WhatsApp identifies without a phone number. Seeded with `seedLinkedIds: true` only, because
 * tests pin the default seed's two Periskope groups. One linked id and one phone member are admins.
 */
export const PERISKOPE_LINKED_SEED: SeedChat = {
	id: DEMO.groups.periskope.linked,
	name: 'Demo linked ids',
	self: DEMO.periskope.orgPhone,
	members: ['14155550187', ...DEMO.periskope.linkedIds],
	admins: ['14155550187', DEMO.periskope.linkedIds[1]],
	isGroup: true,
};
