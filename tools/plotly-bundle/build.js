// Builds static/vendor/plotly/plotly-observatory.min.js: plotly.js with only the trace types
// Observatory draws. See README.md beside this file.
const esbuild = require('esbuild');
const { esbuildConfig } = require('./esbuild-config.js');

esbuild
  .build({
    ...esbuildConfig,
    entryPoints: ['./lib/index-observatory.js'],
    outfile: './dist/plotly-observatory.min.js',
    minify: true,
    legalComments: 'none',
  })
  .then(() => console.log('built dist/plotly-observatory.min.js'));
