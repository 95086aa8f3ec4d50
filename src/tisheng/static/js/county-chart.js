// The home page's bar chart of teachers per county (ECharts), from the JSON the page embeds.
// A static file, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var el = document.getElementById('county-chart');
  var source = document.getElementById('county-chart-data');
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 48, right: 16, top: 16, bottom: 72 },
    tooltip: {},
    xAxis: { type: 'category', data: data.names, axisLabel: { rotate: 45 } },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: data.values, itemStyle: { color: '#0b6e4f' } }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
