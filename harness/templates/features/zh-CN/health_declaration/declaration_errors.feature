# language: zh-CN
@health_declaration @REQ-HEALTH-ERRORS
功能: 健康告知的错误提示让人看得懂
  漏答某个问题时，错误提示要落在这个问题上：该问题被标记为无效，有它自己的、看得懂的错误提示，
  并且错误汇总会被播报出来（读屏软件能读到）。

  @critical
  场景大纲: <产品>的健康告知漏答时，在<视口>下于该问题旁给出说明
    假如 用户在“<视口>”视口下提交<产品>的健康告知，所有问题均未作答
    那么 每个未作答的问题都被标记为无效并有各自的错误提示，且错误汇总会被播报

    例子:
      | 产品 | 视口 |
{% for p in products if p.health %}{% for v in pair_viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}
