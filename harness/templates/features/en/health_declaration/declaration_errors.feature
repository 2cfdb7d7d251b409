@health_declaration @REQ-HEALTH-ERRORS
Feature: Health-declaration errors a person understands
  When an answer is missing, the error is tied to that question: the question is marked
  invalid, has its own readable message, and the error summary is announced.

  @critical
  Scenario Outline: A missing answer of <product> is explained next to its question at <viewport>
    Given the buyer submits the <product> health declaration with no answers at the "<viewport>" viewport
    Then every unanswered question is marked invalid with its own error message and the summary is announced

    Examples:
      | product | viewport |
{% for p in products if p.health %}{% for v in pair_viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}
