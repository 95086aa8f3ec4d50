// The city home page's chart: progress per county in percent (ECharts), from the JSON the page embeds.
// A static file, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var el = document.getElementById('county-chart');
  var source = document.getElementById('county-chart-data');
  if (!window.echarts || !el || !source) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 40, right: 16, top: 40, bottom: 72 },
    tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + '%'; } },
    legend: { top: 0 },
    xAxis: { type: 'category', data: data.names, axisLabel: { rotate: 45 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: data.series.map(function (s) { return { type: 'bar', name: s.name, data: s.data }; })
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
