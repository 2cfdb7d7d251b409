# language: zh-CN
@regulation @REQ-SALES-DISCLOSURES
功能: 健康告知只询问列明的内容（《保险销售行为管理办法》）
  销售办法即《保险销售行为管理办法》（2024）。在同一批投保流程的健康告知页面（写有“健康告知”
  并有是/否选项的页面）一到达时测量。

  @critical @REQ-NO-CATCH-ALL @ART-ISB-27
  场景大纲: <产品>的健康告知没有兜底问题
    销售办法第二十七条：不得设置“其他未列明的疾病”“除上述以外的其他疾病”之类的兜底问题。

    假如 用户在主视口（默认“{{ main_viewport }}”）下完成<产品>的投保流程
    那么 健康告知中没有询问未列明疾病的兜底问题

    例子:
      | 产品  |
{% for p in products if p.health %}
      | {{ p.code }} |
{% endfor %}
