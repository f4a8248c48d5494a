/** @type {import('prettier').Config} */
export default {
  plugins: ['prettier-plugin-svelte'],
  singleQuote: true,
  printWidth: 110,
  overrides: [{ files: '*.svelte', options: { parser: 'svelte' } }],
};
