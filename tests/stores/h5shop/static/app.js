// 安心保 H5 store: a hand-written hash router, no framework. Every screen is a hash route
// (#/products, #/product/:code, #/login, #/inform, #/insure, #/confirm, #/result); the API lives
// at window.__H5_CONFIG__.api and answers {code, msg, data}. The buyer's choices are kept in
// sessionStorage so a reload keeps the place.
(function () {
  'use strict';
  var cfg = window.__H5_CONFIG__;
  var app = document.getElementById('app');
  var state = JSON.parse(sessionStorage.getItem('h5.state') || '{}');
  var renders = 0;

  function save() { sessionStorage.setItem('h5.state', JSON.stringify(state)); }
  function go(route) { location.hash = '#' + route; }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function yuan(fen) { return '¥' + (fen / 100).toFixed(2); }
  function nav(title, back) {
    return '<div class="nav-bar">' + (back ? '<a class="back" href="#' + back + '">‹</a>' : '') +
      '<span class="nav-title">' + esc(title) + '</span></div>';
  }
  function $(sel) { return app.querySelector(sel); }
  function showError(msg) {
    var box = $('.form-error');
    if (!box) {
      box = document.createElement('div');
      box.className = 'form-error';
      box.setAttribute('role', 'alert');
      $('.nav-bar').insertAdjacentElement('afterend', box);
    }
    box.textContent = msg;
  }

  function call(method, path, body) {
    var init = {method: method, credentials: 'include', headers: {}};
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(cfg.api + path, init).then(function (res) {
      return res.json().then(function (answer) {
        if (answer.code !== 0) {
          var err = new Error(answer.msg);
          err.status = res.status;
          throw err;
        }
        return answer.data;
      });
    });
  }
  function needLogin(route) {
    return call('GET', '/session').then(function (s) {
      if (!s.loggedIn) { go('/login?redirect=' + encodeURIComponent(route)); }
      return s.loggedIn;
    });
  }

  function products() {
    return call('GET', '/products').then(function (list) {
      return nav('安心保 · 精选保险') + list.map(function (p) {
        return '<a class="product-card" href="#/product/' + esc(p.productCode) + '">' +
          '<div class="product-name">' + esc(p.productName) + '</div>' +
          '<div>犹豫期' + p.coolingOffDays + '天 · <span class="price">' +
          yuan(p.plans[0].premiumFen) + '起</span></div></a>';
      }).join('');
    });
  }

  function product(code) {
    return call('GET', '/products').then(function (list) {
      var p = list.filter(function (x) { return x.productCode === code; })[0];
      if (!p) { return nav('产品不存在', '/products'); }
      state.product = p.productCode; state.plan = state.plan || 'basic'; save();
      var plans = p.plans.map(function (pl) {
        return '<button type="button" class="plan" data-plan="' + esc(pl.planCode) + '" aria-pressed="' +
          (pl.planCode === state.plan) + '">' + esc(pl.planName) + ' ' + yuan(pl.premiumFen) + '</button>';
      }).join('');
      return nav(p.productName, '/products') +
        '<div class="section"><div class="product-name">' + esc(p.productName) + '</div>' +
        '<p>保障期间1年，最高赔付600万元；犹豫期' + p.coolingOffDays + '天。</p></div>' +
        '<div class="section"><div class="section-title">选择方案</div>' + plans + '</div>' +
        '<div class="section"><p class="exclusions">【责任免除】因下列情形之一导致被保险人支出医疗费用的，' +
        '本公司不承担保险责任：投保前已患疾病或既往症；等待期内确诊的疾病；酒后驾驶、无证驾驶；' +
        '故意自伤、斗殴或违法犯罪行为。</p></div>' +
        '<div class="submit-bar"><span class="price"></span>' +
        '<button class="btn-primary buy-now" type="button">立即投保</button></div>';
    });
  }
  function bindProduct() {
    app.querySelectorAll('.plan').forEach(function (el) {
      el.onclick = function () {
        app.querySelectorAll('.plan').forEach(function (o) { o.setAttribute('aria-pressed', o === el); });
        state.plan = el.dataset.plan; save();
      };
    });
    var buy = $('.buy-now');
    if (buy) {
      buy.onclick = function () {
        var next = state.product === 'medical' ? '/inform' : '/insure';
        needLogin(next).then(function (ok) { if (ok) { go(next); } });
      };
    }
  }

  function login() {
    return Promise.resolve(nav('账号登录', '/products') +
      '<form class="login-form"><div class="field"><label>账号</label>' +
      '<input type="text" placeholder="请输入账号" autocomplete="username"></div>' +
      '<div class="field"><label>密码</label><input type="password" placeholder="请输入密码" ' +
      'autocomplete="current-password"></div>' +
      '<div class="submit-bar"><span></span><button class="btn-primary" type="submit">登录</button></div></form>');
  }
  function bindLogin(query) {
    $('.login-form').onsubmit = function (ev) {
      ev.preventDefault();
      var inputs = app.querySelectorAll('.login-form input');
      call('POST', '/login', {loginName: inputs[0].value, password: inputs[1].value})
        .then(function () { go(query.get('redirect') || '/products'); })
        .catch(function (e) { showError(e.message); });
    };
  }

  var QUESTIONS = ['被保险人过去两年内是否曾住院或被建议住院？',
    '被保险人目前是否患有高血压、糖尿病、恶性肿瘤等疾病？',
    '被保险人过去一年内是否有异常检查结果尚未确诊？'];
  function inform() {
    return needLogin('/inform').then(function (ok) {
      if (!ok) { return ''; }
      return nav('健康告知', '/product/' + (state.product || 'medical')) +
        '<div class="section">请如实告知被保险人的健康状况，未如实告知可能导致拒赔。</div>' +
        QUESTIONS.map(function (q, i) {
          var key = 'h' + (i + 1);
          return '<div class="q-item"><div id="q-' + key + '">' + (i + 1) + '. ' + esc(q) + '</div>' +
            '<div class="q-opts" role="radiogroup" aria-labelledby="q-' + key + '">' +
            '<label class="opt"><input type="radio" name="' + key + '" value="Y"> 是</label>' +
            '<label class="opt"><input type="radio" name="' + key + '" value="N"> 否</label>' +
            '</div><div class="q-error" id="err-' + key + '" hidden></div></div>';
        }).join('') +
        '<div class="submit-bar"><span></span><button class="btn-primary inform-next" type="button">' +
        '以上均无，下一步</button></div>';
    });
  }
  function markUnanswered(answers) {
    var first = null;
    QUESTIONS.forEach(function (q, i) {
      var key = 'h' + (i + 1), group = $('#q-' + key).nextElementSibling, err = $('#err-' + key);
      var missing = !answers[key];
      group.setAttribute('aria-invalid', String(missing));
      if (missing) { group.setAttribute('aria-describedby', 'err-' + key); } else { group.removeAttribute('aria-describedby'); }
      err.hidden = !missing;
      err.textContent = missing ? '请选择第' + (i + 1) + '题的答案（是或否）' : '';
      if (missing && !first) { first = group.querySelector('input'); }
    });
    return first;
  }
  function bindInform() {
    var next = $('.inform-next');
    if (!next) { return; }
    next.onclick = function () {
      var answers = {};
      app.querySelectorAll('input[type=radio]:checked').forEach(function (o) { answers[o.name] = o.value; });
      var first = markUnanswered(answers);
      if (first) {
        showError('还有' + (QUESTIONS.length - Object.keys(answers).length) + '个问题未回答，请逐题作答');
        first.focus();
        return;
      }
      if (Object.keys(answers).some(function (k) { return answers[k] === 'Y'; })) {
        return showError('很抱歉，被保险人暂不符合投保条件');
      }
      state.health = answers; save(); go('/insure');
    };
  }

  function insure() {
    return needLogin('/insure').then(function (ok) {
      if (!ok) { return ''; }
      return call('POST', '/quote', {productCode: state.product || 'medical', planCode: state.plan || 'basic'});
    }).then(function (q) {
      if (!q) { return ''; }
      state.quoteNo = q.quoteNo; save();
      var poster = cfg.posterFirst ? '<div class="poster">安心保 · 年度爆款<br>一年只要' + yuan(q.premiumFen) +
        '<br>最高600万健康保障</div>' : '';
      return nav('填写投保信息', '/inform') + poster +
        '<div class="cooling-off">本产品犹豫期为' + q.coolingOffDays + '天，自您签收保单次日起' + q.coolingOffDays +
        '天内可申请全额退保，已缴保费全额退还。</div>' +
        '<div class="section"><div class="section-title">投保人信息</div></div>' +
        '<div class="field"><label>姓名</label><input type="text" placeholder="请输入投保人姓名"></div>' +
        '<div class="field"><label>身份证号</label><input type="text" placeholder="请输入身份证号码"></div>' +
        '<div class="field"><label>手机号</label><input type="tel" placeholder="请输入手机号码"></div>' +
        '<label class="agree"><input type="checkbox" class="agree-box"> 我已阅读并同意《投保须知》《保险条款》</label>' +
        '<div class="submit-bar"><span class="price">保费 ' + yuan(q.premiumFen) + '</span>' +
        '<button class="btn-primary insure-next" type="button">下一步</button></div>';
    });
  }
  function bindInsure() {
    var next = $('.insure-next');
    if (!next) { return; }
    next.onclick = function () {
      var v = function (ph) { return $('input[placeholder="' + ph + '"]').value.trim(); };
      call('POST', '/order', {quoteNo: state.quoteNo, healthAnswers: state.health || {},
        agreeTerms: $('.agree-box').checked,
        applicant: {name: v('请输入投保人姓名'), idNo: v('请输入身份证号码'), mobile: v('请输入手机号码')}})
        .then(function (order) { state.orderNo = order.orderNo; save(); go('/confirm'); })
        .catch(function (e) { showError(e.message); });
    };
  }

  function confirmView() {
    return call('GET', '/order/' + encodeURIComponent(state.orderNo || '-')).then(function (o) {
      return nav('确认订单', '/insure') + '<div class="section"><div class="section-title">订单信息</div>' +
        '<div>产品：' + esc(o.productName) + ' · ' + esc(o.planName) + '</div>' +
        '<div>投保人：' + esc(o.applicantName) + '</div><div>订单号：' + esc(o.orderNo) + '</div></div>' +
        '<div class="submit-bar"><span class="price">应付 ' + yuan(o.premiumFen) + '</span>' +
        '<button class="btn-primary pay-now" type="button">去支付</button></div>';
    });
  }
  function bindConfirm() {
    var pay = $('.pay-now');
    if (!pay) { return; }
    pay.onclick = function () {
      call('POST', '/order/' + encodeURIComponent(state.orderNo) + '/submit', {})
        .then(function (s) { location.href = s.cashierUrl; })
        .catch(function (e) { showError(e.message); });
    };
  }

  function result(query) {
    return call('GET', '/policy/' + encodeURIComponent(query.get('orderNo') || '-')).then(function (p) {
      return nav('投保结果') + '<div class="success"><div class="big">投保成功</div>' +
        '<p>保单号：<span class="policy-no">' + esc(p.policyNo) + '</span></p>' +
        '<p>实付保费：' + yuan(p.premiumFen) + '</p>' +
        '<p><a class="surrender-link" href="tel:95500">申请退保（犹豫期内全额退还，客服 95500）</a></p>' +
        '<a href="#/products">返回首页</a></div>';
    });
  }

  // 可回溯: the entry prompt comes first and waits for the buyer; then the store asks for a log-in.
  function showTracePrompt(route) {
    var box = document.createElement('div');
    box.className = 'trace-mask';
    box.innerHTML = '<div class="trace-dialog" role="dialog" aria-modal="true" aria-labelledby="trace-title">' +
      '<div id="trace-title" class="section-title">投保提示</div>' +
      '<p>您即将进入投保流程，请仔细阅读保险条款、投保须知等内容。为保障您的权益，' +
      '您在销售页面的操作将会被记录并加密存储（可回溯）。</p>' +
      '<button class="btn-primary trace-ok" type="button">我已知晓</button></div>';
    app.appendChild(box);
    box.querySelector('.trace-ok').onclick = function () {
      sessionStorage.setItem('h5.traced', '1');
      box.remove();
      needLogin(route);
    };
  }

  var ROUTES = [
    [/^\/products$/, products, null], [/^\/product\/(\w+)$/, product, bindProduct],
    [/^\/login$/, login, bindLogin], [/^\/inform$/, inform, bindInform],
    [/^\/insure$/, insure, bindInsure], [/^\/confirm$/, confirmView, bindConfirm],
    [/^\/result$/, result, null]
  ];

  function render() {
    var hash = location.hash.slice(1) || '/products';
    var parts = hash.split('?');
    var query = new URLSearchParams(parts[1] || '');
    var route = ROUTES.filter(function (r) { return r[0].test(parts[0]); })[0];
    if (!route) { location.replace('#/products'); return; }
    var mine = ++renders;
    var arg = route[1] === product ? route[0].exec(parts[0])[1] : query;
    window.scrollTo(0, 0);
    route[1](arg).then(function (html) {
      if (mine !== renders) { return; }
      app.innerHTML = html;
      if (route[2]) { route[2](query); }
      if (!sessionStorage.getItem('h5.traced')) { showTracePrompt(parts[0]); }
    }).catch(function (e) {
      if (mine !== renders) { return; }
      if (e.status === 401) { go('/login?redirect=' + encodeURIComponent(parts[0])); return; }
      app.innerHTML = nav('出错了', '/products') + '<div class="form-error" role="alert">' + esc(e.message) + '</div>';
    });
  }
  window.addEventListener('hashchange', render);
  render();
}());
