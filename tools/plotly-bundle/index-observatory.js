'use strict';

var Plotly = require('./core');

Plotly.register([
    require('./bar'),
    require('./heatmap'),
    require('./histogram'),
    require('./histogram2d'),
]);

module.exports = Plotly;
