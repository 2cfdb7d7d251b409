# language: zh-CN
@purchase_flow @REQ-FLOW-LENGTH
功能: 投保流程的步数
  从点击产品到支付完成，用户最多需要5步。

  计步规则：一步是把用户带到一个新页面的一次用户操作。点击产品算一步；可回溯的进入提示算一步；
  支付成功页不算。一个页面由它的路由、主标题、阻断式弹窗或 data-flow-step 标记识别，绝不按
  导航事件识别。

  @critical
  场景大纲: 购买<产品>最多需要5步
    假如 用户在主视口（默认“{{ main_viewport }}”）下完成<产品>的投保流程
    那么 从点击产品到支付完成不超过5步

    例子:
      | 产品  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}
