@regulation @REQ-SALES-DISCLOSURES
Feature: The health declaration asks only about what it lists (销售办法)
  销售办法 is 《保险销售行为管理办法》 (2024). Measured on arrival at the health-declaration
  screen of the same journeys (the screen saying 健康告知 with yes/no answers).

  @critical @REQ-NO-CATCH-ALL @ART-ISB-27
  Scenario Outline: The health declaration of <product> asks no catch-all question
    销售办法 art. 27: no catch-all question such as “any other disease not listed above”
    (其他未列明的疾病, 除上述以外的其他疾病, ...).

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the health declaration asks no catch-all question about diseases it does not list

    Examples:
      | product  |
{% for p in products if p.health %}
      | {{ p.code }} |
{% endfor %}
