// Filters on the all-positions page. Without JavaScript the form stays hidden and the plain
// table lists every position.
(function () {
  var form = document.getElementById("jx-filters");
  if (!form) return;
  var levels = ["专科", "本科", "硕士", "博士"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.jx-row"));
  var result = form.querySelector(".jx-filters__result");

  function apply() {
    var type = form.elements.type.value;
    var track = form.elements.track.value;
    var district = form.elements.district.value;
    var education = levels.indexOf(form.elements.education.value);
    var major = form.elements.major.value.trim().toLowerCase();
    var openOnly = form.elements.open.checked;
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!type || d.type === type) &&
        (!track || d.track === track) &&
        (!district || d.district === district) &&
        (education < 0 || levels.indexOf(d.education) <= education) &&
        (!major || d.majors.toLowerCase().indexOf(major) >= 0 || d.majors.indexOf("不限") >= 0) &&
        (!openOnly || d.state === "open");
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    result.textContent = "筛选后共 " + shown + " 个岗位";
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
