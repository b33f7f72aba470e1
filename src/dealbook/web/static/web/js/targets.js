// The targets pages: the set-a-target form (the chosen metric's definition, the subject field
// of the chosen scope, "Use this figure" from the recommendation dialog) and the charts drawn
// with ECharts from each chart element's data-chart attribute (the CSP allows no inline
// script). Tooltips are drawn on the canvas (richText): HTML tooltips carry style="".
(function () {
  "use strict";

  // --- the form -------------------------------------------------------------------------

  function showDefinition(form) {
    var metric = form.querySelector("#id_metric");
    if (!metric) return;
    form.querySelectorAll("[data-metric-definition]").forEach(function (element) {
      element.classList.toggle("d-none", element.getAttribute("data-metric-definition") !== metric.value);
    });
  }

  function showSubject(form) {
    var scope = form.querySelector("#id_scope");
    if (!scope) return;
    form.querySelectorAll("[data-subject-for]").forEach(function (element) {
      element.classList.toggle("d-none", element.getAttribute("data-subject-for") !== scope.value);
    });
  }

  function setUpForm(form) {
    showDefinition(form);
    showSubject(form);
    form.addEventListener("change", function (event) {
      if (event.target.id === "id_metric") showDefinition(form);
      if (event.target.id === "id_scope") showSubject(form);
    });
  }

  // "Use this figure": the recommended amount goes into the form, the dialog closes.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#use-recommendation");
    if (!button) return;
    var amount = document.getElementById("id_amount");
    if (amount) {
      amount.value = button.getAttribute("data-amount");
      amount.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var dialog = document.getElementById("recommendation-dialog");
    if (dialog && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
    }
    if (amount) amount.focus();
  });

  // --- charts ---------------------------------------------------------------------------

  function numberFormatter() {
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: 0,
    });
    return function (value) {
      return value === null || value === undefined ? "—" : format.format(value);
    };
  }

  function toNumbers(values) {
    return values.map(function (value) {
      return value === null ? null : Number(value);
    });
  }

  function pacingOption(spec, formatNumber) {
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: formatNumber },
      xAxis: { type: "category", data: spec.days, boundaryGap: false },
      yAxis: { type: "value", axisLabel: { formatter: formatNumber } },
      series: [
        {
          name: spec.labels.expected,
          type: "line",
          showSymbol: false,
          lineStyle: { type: "dashed" },
          data: toNumbers(spec.expected),
          markLine: {
            silent: true,
            symbol: "none",
            label: { formatter: spec.labels.target },
            data: [{ yAxis: Number(spec.target) }],
          },
        },
        { name: spec.labels.actual, type: "line", showSymbol: false, data: toNumbers(spec.actual) },
      ],
    };
  }

  function historyOption(spec, formatNumber) {
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        axisPointer: { type: "shadow" },
        valueFormatter: formatNumber,
      },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", axisLabel: { formatter: formatNumber } },
      series: spec.series.map(function (series) {
        return { name: series.name, type: "bar", data: toNumbers(series.data), cursor: "pointer" };
      }),
    };
  }

  function draw(element) {
    var spec;
    try {
      spec = JSON.parse(element.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var formatNumber = numberFormatter();
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.days ? pacingOption(spec, formatNumber) : historyOption(spec, formatNumber));
    if (spec.links) {
      chart.on("click", function (params) {
        var link = spec.links[params.dataIndex];
        if (link) window.location.assign(link);
      });
    }
    window.addEventListener("resize", function () {
      chart.resize();
    });
    element.setAttribute("data-chart-ready", "true");
  }

  function start() {
    document.querySelectorAll("#target-form").forEach(setUpForm);
    if (window.echarts) {
      document.querySelectorAll(".target-chart[data-chart]").forEach(draw);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
