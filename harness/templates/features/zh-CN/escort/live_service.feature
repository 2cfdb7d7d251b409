# language: zh-CN
@escort @on_request @REQ-ESCORT
功能: 72小时护航期：上线后的商城持续为投保用户服务
  全量上线后护航72小时（`harness watch`）：每次检查用刚结束的区间的线上指标评判以下标准。
  blocker、critical、normal 级别的标准不通过即“回滚”（ROLLBACK）；没有数据（查询无结果、流量太少、
  Prometheus 无法访问）的标准是“证据不足”，绝不算通过。

  背景:
    假如 本次护航检查的线上指标

  @blocker
  场景: 投保服务可用
    那么 本区间至少99.9%的投保请求成功，至少50个请求才评判

  @blocker
  场景: 每笔支付都出了保单
    那么 本区间没有已支付却未出单的投保

  @blocker
  场景: 实收保费等于报价保费
    那么 本区间没有实收保费与报价不符的支付

  @critical
  场景大纲: “<step>”步骤保持快速
    那么 “<step>”步骤的95分位响应时间不超过<seconds>秒

    例子:
      | step | seconds |
{% for step, seconds in escort_steps %}
      | {{ step }} | {{ seconds }} |
{% endfor %}

  @blocker
  场景: 错误预算没有快速燃烧
    那么 99.9%可用性的错误预算没有按多窗口告警速率燃烧（按护航期缩放）
