# language: zh-CN
@disclosures @REQ-COOLING-OFF
功能: 投保页首屏的犹豫期提示
  犹豫期提示必须不用滚动就能看到：完整地处在视口内，没有被遮挡，不透明，清晰可读（字号不小于
  12px，对比度不低于4.5:1），并写明该产品的犹豫期天数。在用户实际使用的屏幕上检查：{{ viewports | join("、") }}
  （各屏幕尺寸见 `harness check notice --help`）。

  @blocker
  场景大纲: <产品>的犹豫期提示在<视口>下完整显示在首屏
    假如 用户在“<视口>”视口下完成<产品>的投保流程
    那么 犹豫期提示完整显示在首屏，字号不小于12px，对比度不低于4.5:1

    例子:
      | 产品  | 视口    |
{% for p in products %}{% for v in viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}

  @critical
  场景大纲: <产品>的犹豫期提示写明犹豫期不少于<天数>天
    假如 用户在主视口（默认“{{ main_viewport }}”）下完成<产品>的投保流程
    那么 犹豫期提示写明的犹豫期不少于<天数>天

    例子:
      | 产品  | 天数 |
{% for p in products %}
      | {{ p.code }} | {{ p.cooling_off_days }} |
{% endfor %}
