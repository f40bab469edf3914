/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testTimeout: 60000,
	setupFiles: ['<rootDir>/test/setup/n8n-logger.ts'],
	maxWorkers: 3,
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
};
