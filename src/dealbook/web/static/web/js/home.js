// The home page's team charts: open pipeline by stage and by rep, drawn with ECharts from the
// JSON in each chart element's data-chart attribute (the CSP allows no inline script).
// Clicking a bar opens the records behind it. Tooltips are drawn on the canvas (richText):
// ECharts' HTML tooltips carry style="" attributes, which the CSP refuses.
(function () {
  "use strict";

  function amountFormatter() {
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: 0,
    });
    return function (value) {
      return format.format(value);
    };
  }

  function draw(element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var formatAmount = amountFormatter();
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { show: spec.series.length > 1, top: 0 },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        axisPointer: { type: "shadow" },
        valueFormatter: formatAmount,
      },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: spec.categories.length > 5 ? 30 : 0 },
      },
      yAxis: { type: "value", axisLabel: { formatter: formatAmount } },
      series: spec.series.map(function (currency) {
        return {
          name: currency.name,
          type: "bar",
          data: currency.data.map(Number),
          cursor: "pointer",
        };
      }),
    });
    chart.on("click", function (params) {
      var link = spec.links && spec.links[params.dataIndex];
      if (link) {
        window.location.assign(link);
      }
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    element.setAttribute("data-chart-ready", "true");
  }

  function start() {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll(".home-chart[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
